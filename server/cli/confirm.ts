// The y/N question before a bulk change: asked on a terminal; without one the command needs --yes.
import { createInterface } from 'node:readline';
import { CliError, EXIT, usage } from './errors.js';

/** Resolves when the change may go ahead; throws DECLINED (3) on anything but y/yes, USAGE (2) without a terminal. */
export async function confirm(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw usage(`${question.replace(/\?$/, '')}: without a terminal to ask on, pass --yes`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((resolve) => {
    rl.question(`${question} [y/N] `, resolve);
    rl.once('close', () => resolve(''));
    // Ctrl-C at the question is a no (readline holds the terminal raw, so no signal would end the process).
    rl.once('SIGINT', () => rl.close());
  });
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('declined: nothing changed', EXIT.DECLINED, 'DECLINED');
}
