import * as path from 'node:path';
import * as ts from 'typescript';

/** One code block to type-check, named by where it starts in its document. */
export interface Snippet {
  /** The 1-based document line of the block's first code line. */
  readonly firstLine: number;
  readonly code: string;
}

export interface SnippetSetup {
  readonly repoRoot: string;
  /** The document the snippets come from, as diagnostics name it ('README.md'). */
  readonly label: string;
  /** A module whose exports every snippet may use without declaring them. */
  readonly prelude: string;
  /** Bare module specifiers served from source files (package name to file). */
  readonly packages: ReadonlyMap<string, string>;
}

export interface SnippetReport {
  /** The diagnostics of one snippet, as `README.md:line:column TSnnnn message`. */
  diagnosticsOf(snippet: Snippet): string[];
  /** Problems outside the snippets: compiler options, the prelude, global declarations. */
  readonly general: readonly string[];
  /** Every file the program read, to check where the package names resolved. */
  readonly files: readonly string[];
}

/**
 * Type-checks every snippet against the real sources in ONE program, under the project's own
 * compiler options. Each snippet is a virtual `.mts` file next to the prelude: README code is
 * module code with top-level `await`, which TypeScript accepts under `module: node20` only in an
 * ES module. A snippet's lines keep their numbers: the prelude import goes after its last line.
 */
export function checkSnippets(snippets: readonly Snippet[], setup: SnippetSetup): SnippetReport {
  const options = snippetOptions(setup.repoRoot);
  const preludeText = ts.sys.readFile(setup.prelude) ?? '';
  const preludeExports = declaredNames(parse(setup.prelude, preludeText), true);
  const preludeSpecifier = `./${path.basename(setup.prelude, '.ts')}.js`;
  const virtual = new Map<string, string>();
  const fileOf = new Map<Snippet, string>();
  for (const snippet of snippets) {
    const fileName = path.join(path.dirname(setup.prelude), `__snippet_L${snippet.firstLine}.mts`);
    const own = declaredNames(parse(fileName, snippet.code), false);
    const given = [...preludeExports].filter((name) => !own.has(name));
    const preludeImport =
      given.length === 0 ? '' : `import { ${given.join(', ')} } from '${preludeSpecifier}';`;
    virtual.set(fileName, `${snippet.code}\n${preludeImport}\nexport {};\n`);
    fileOf.set(snippet, fileName);
  }

  const host = snippetHost(options, virtual, setup.packages);
  const program = ts.createProgram({
    rootNames: [setup.prelude, ...virtual.keys()],
    options,
    host,
  });
  const preludeFile = program.getSourceFile(setup.prelude);
  const general = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...(preludeFile === undefined ? [] : diagnosticsIn(program, preludeFile)),
  ].map((diagnostic) => format(diagnostic, setup.repoRoot));

  return {
    general,
    files: program.getSourceFiles().map((file) => file.fileName),
    diagnosticsOf(snippet) {
      const file = program.getSourceFile(fileOf.get(snippet) ?? '');
      if (file === undefined) return [`${setup.label}:${snippet.firstLine}: snippet not compiled`];
      const codeLines = snippet.code.split('\n').length;
      return diagnosticsIn(program, file).map((diagnostic) => {
        const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        const where =
          line < codeLines
            ? `${setup.label}:${snippet.firstLine + line}:${character + 1}`
            : `${setup.label}:${snippet.firstLine} (the prelude import)`;
        return `${where} TS${diagnostic.code}: ${message(diagnostic)}`;
      });
    },
  };
}

/**
 * tsconfig.json's options with three changes: no output (declarations included); unused locals
 * and parameters allowed, because a fragment shows a result (`const page = ...`) without going
 * on to use it; and Node's types only, since README code is application code, not a mocha spec.
 */
function snippetOptions(repoRoot: string): ts.CompilerOptions {
  const configPath = path.join(repoRoot, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  if (error !== undefined) throw new Error(message(error));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot, undefined, configPath);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map(message).join('\n'));
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    noUnusedLocals: false,
    noUnusedParameters: false,
    types: ['node'],
  };
}

/** A compiler host that serves the virtual snippet files and maps package names to sources. */
function snippetHost(
  options: ts.CompilerOptions,
  virtual: ReadonlyMap<string, string>,
  packages: ReadonlyMap<string, string>,
): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const cache = ts.createModuleResolutionCache(
    host.getCurrentDirectory(),
    (name) => host.getCanonicalFileName(name),
    options,
  );
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(fileName);
    return text === undefined
      ? getSourceFile(fileName, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  host.fileExists = (fileName) => virtual.has(fileName) || fileExists(fileName);
  host.readFile = (fileName) => virtual.get(fileName) ?? readFile(fileName);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, compilerOptions, file) =>
    literals.map((literal) => {
      const mapped = packages.get(literal.text);
      if (mapped !== undefined) {
        return {
          resolvedModule: {
            resolvedFileName: mapped,
            extension: ts.Extension.Ts,
            isExternalLibraryImport: false,
          },
        };
      }
      const mode = ts.getModeForUsageLocation(file, literal, compilerOptions);
      return ts.resolveModuleName(
        literal.text,
        containingFile,
        compilerOptions,
        host,
        cache,
        redirected,
        mode,
      );
    });
  return host;
}

/** One file's own errors; those of the options and global ones are in `general`. */
function diagnosticsIn(program: ts.Program, file: ts.SourceFile): ts.Diagnostic[] {
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
}

function parse(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
}

/** The names a file declares at its top level, or only those it exports. */
function declaredNames(file: ts.SourceFile, exportedOnly: boolean): Set<string> {
  const names = new Set<string>();
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else
      for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of file.statements) {
    if (exportedOnly && !isExported(statement)) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name);
    } else if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name !== undefined) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings !== undefined && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) names.add(element.name.text);
      }
    } else if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause !== undefined && ts.isNamedExports(clause)) {
        for (const element of clause.elements) names.add(element.name.text);
      }
    } else if (
      (ts.isClassDeclaration(statement) ||
        ts.isFunctionDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement) ||
        ts.isImportEqualsDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

function isExported(statement: ts.Statement): boolean {
  if (ts.isExportDeclaration(statement)) return true;
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
  return modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

function format(diagnostic: ts.Diagnostic, repoRoot: string): string {
  const { file, start } = diagnostic;
  if (file === undefined) return `TS${diagnostic.code}: ${message(diagnostic)}`;
  const { line, character } = file.getLineAndCharacterOfPosition(start ?? 0);
  const where = `${path.relative(repoRoot, file.fileName)}:${line + 1}:${character + 1}`;
  return `${where} TS${diagnostic.code}: ${message(diagnostic)}`;
}

function message(diagnostic: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
}
