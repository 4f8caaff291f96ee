import { readdirSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';

/**
 * The repository compiles with `experimentalDecorators`, so fixtures written for standard (TC39)
 * decorators are compiled here instead: one TypeScript program over the fixture folder, with
 * their own tsconfig (experimentalDecorators off), type-checked (the decorators' signatures in
 * standard mode are part of what is tested) and emitted in memory. Each fixture is then loaded as
 * a module at its own path, so its `import ... from '../../../src'` resolves to the very modules
 * the spec already loaded (one metadata store, one set of error classes).
 */
export interface StandardFixtures {
  /** Type errors in the fixtures, formatted; empty when they compile. */
  readonly diagnostics: string[];
  /** Loads (once) and returns a fixture module by its file name without extension. */
  load<T>(name: string): T;
}

const compiled = new Map<string, StandardFixtures>();

/**
 * The fixtures of `folder`, compiled once per run: several specs load them, and a second compile
 * would cost seconds and load each fixture again as a second set of classes.
 */
export function compileStandardFixtures(folder: string): StandardFixtures {
  const resolved = path.resolve(folder);
  let fixtures = compiled.get(resolved);
  if (fixtures === undefined) {
    fixtures = compile(resolved);
    compiled.set(resolved, fixtures);
  }
  return fixtures;
}

function compile(folder: string): StandardFixtures {
  const configPath = path.join(folder, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const options: ts.CompilerOptions = { ...config.options, noEmit: false, declaration: false };
  // Emitted in memory next to each source: no outDir (and so no rootDir to satisfy).
  options.sourceMap = false;
  delete options.outDir;
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(folder, f));
  const program = ts.createProgram(files, options);
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || files.includes(path.resolve(d.file.fileName)))
    .map((d) => {
      const where =
        d.file === undefined
          ? ''
          : `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
  const emitted = new Map<string, string>();
  for (const file of files) {
    program.emit(program.getSourceFile(file), (name, text) => {
      if (name.endsWith('.js')) emitted.set(file, text);
    });
  }
  const loaded = new Map<string, unknown>();
  return {
    diagnostics,
    load<T>(name: string): T {
      const file = path.join(folder, `${name}.ts`);
      if (!loaded.has(file)) {
        const code = emitted.get(file);
        if (code === undefined) throw new Error(`no standard fixture ${name}`);
        const fixture = new Module(file, module);
        fixture.filename = file;
        fixture.paths = (
          Module as unknown as { _nodeModulePaths(dir: string): string[] }
        )._nodeModulePaths(folder);
        (fixture as unknown as { _compile(code: string, file: string): void })._compile(code, file);
        loaded.set(file, fixture.exports);
      }
      return loaded.get(file) as T;
    },
  };
}
