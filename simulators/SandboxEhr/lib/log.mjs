// stdout carries only the ready line (the test fixture waits for it); every diagnostic goes to stderr.
export function log(message) {
  process.stderr.write(`sandbox-ehr: ${message}\n`);
}
