/** One fenced code block of a Markdown file. */
export interface FencedBlock {
  /** The 1-based line of the opening fence. */
  readonly line: number;
  /** The first word of the info string, lower-cased; '' when there is none. */
  readonly lang: string;
  /** The text between the fences: its 0-based line i is line `line + 1 + i` of the file. */
  readonly code: string;
  /** The reason of a `<!-- snippet: no-check (reason) -->` comment right before the block. */
  readonly noCheck: string | undefined;
}

export interface FencedBlocks {
  readonly blocks: readonly FencedBlock[];
  /** Unclosed fences and snippet markers that are malformed or mark no block. */
  readonly problems: readonly string[];
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;
const MARKER = /^<!--\s*snippet:\s*(.*?)\s*-->$/;
const NO_CHECK = /^no-check \((.+)\)$/;

/**
 * The fenced code blocks of a Markdown text, each with the no-check marker that precedes it (only
 * blank lines may stand between the two). A marker is an opt-out of a test, so a marker that does
 * not parse or precedes no block is a problem, not something to ignore.
 */
export function fencedBlocks(markdown: string, label: string): FencedBlocks {
  const lines = markdown.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  const problems: string[] = [];
  let marker: { line: number; text: string } | undefined;
  const orphan = (): void => {
    if (marker !== undefined) problems.push(`${label}:${marker.line}: marker before no code block`);
    marker = undefined;
  };
  for (let i = 0; i < lines.length; i += 1) {
    const text = lines[i];
    const markerMatch = MARKER.exec(text.trim());
    if (markerMatch !== null) {
      orphan();
      marker = { line: i + 1, text: markerMatch[1] };
      continue;
    }
    const open = FENCE.exec(text);
    if (open === null) {
      if (text.trim() !== '') orphan();
      continue;
    }
    const [, indent, fence, lang] = open;
    const close = findClose(lines, i + 1, fence);
    if (close === undefined) {
      problems.push(`${label}:${i + 1}: unclosed ${fence} fence`);
      break;
    }
    let noCheck: string | undefined;
    if (marker !== undefined) {
      noCheck = NO_CHECK.exec(marker.text)?.[1];
      if (noCheck === undefined) {
        problems.push(
          `${label}:${marker.line}: unknown snippet marker '${marker.text}'; ` +
            `the only one is 'no-check (reason)'`,
        );
      }
      marker = undefined;
    }
    const code = lines
      .slice(i + 1, close)
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
      .join('\n');
    blocks.push({ line: i + 1, lang: lang.toLowerCase(), code, noCheck });
    i = close;
  }
  orphan();
  return { blocks, problems };
}

/** The line closing a fence: the same character, at least as many times, and nothing else. */
function findClose(lines: readonly string[], from: number, fence: string): number | undefined {
  const char = fence[0];
  for (let i = from; i < lines.length; i += 1) {
    const text = lines[i].trim();
    if (text.length >= fence.length && [...text].every((c) => c === char)) return i;
  }
  return undefined;
}
