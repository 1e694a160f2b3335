// cas-oidc-bridge command line: `cas-oidc-bridge <command> [options]`, `--help` everywhere.
import { EXIT, UsageError, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { reportConfigProblems } from './config-errors.js';
import { ConfigError } from '../config/index.js';

function listing(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`).join('\n');
}

/** `cas-oidc-bridge db` or `db --help`: the commands under that word. */
function groupHelp(word: string): string | undefined {
  const members = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === word);
  if (!members.length) return undefined;
  return `Usage: cas-oidc-bridge ${word} <command> [options]\n\nCommands:\n${listing(members)}\n\nRun \`cas-oidc-bridge ${word} <command> --help\` for a command's options.\n`;
}

function overview(): string {
  return `Usage: cas-oidc-bridge <command> [options]

An OpenID Provider that hands the login step to a CAS server.

Commands:
${listing(COMMANDS)}

Run \`cas-oidc-bridge <command> --help\` for a command's options. Exit codes: 0 success,
1 failure, 2 bad configuration or usage.
`;
}

export function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const command of COMMANDS) {
    if (command.path.every((word, i) => argv[i] === word) && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(overview());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = findCommand(argv);
  const group = !found && argv[0] ? groupHelp(argv[0]) : undefined;
  if (group) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(group);
      return EXIT.ok;
    }
    if (argv.length === 1) process.stdout.write(group);
    else process.stderr.write(`cas-oidc-bridge: unknown command "${argv.join(' ')}"\n\n${group}`);
    return EXIT.usage;
  }
  if (!found) {
    process.stderr.write(`cas-oidc-bridge: unknown command "${argv.join(' ')}"\n\n${overview()}`);
    return EXIT.usage;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    process.stdout.write(`${found.command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await found.command.run(found.rest);
  } catch (err) {
    if (err instanceof UsageError) {
      const usage = found.command.help.split('\n')[0];
      process.stderr.write(`cas-oidc-bridge ${found.command.path.join(' ')}: ${err.message}\n${usage}\n`
        + `Run \`cas-oidc-bridge ${found.command.path.join(' ')} --help\` for every option.\n`);
      return EXIT.usage;
    }
    // found after loading (a template that does not work): said like every configuration problem
    if (err instanceof ConfigError) {
      reportConfigProblems(err.problems);
      return EXIT.usage;
    }
    process.stderr.write(`cas-oidc-bridge ${found.command.path.join(' ')}: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
}
