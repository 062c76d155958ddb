import { guardStdout } from './io';
import { runCli } from './program';

guardStdout();
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
