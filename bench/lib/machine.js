'use strict';
// What machine and software the figures were measured on, for the report.

const { execFileSync } = require('node:child_process');
const os = require('node:os');

function version(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return 'not found';
  }
}

/** nproc, memory, CPU model, OS and tool versions, and the commit measured. */
function machine() {
  return {
    nproc: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    cpu: os.cpus()[0] ? os.cpus()[0].model : 'unknown',
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    rustc: version('rustc', ['--version']),
    mariadb: version('mariadb', ['--version']),
    postgres: version('psql', ['--version']),
    daff: require('daff/package.json').version,
    commit: version('git', ['-C', `${__dirname}/../..`, 'rev-parse', '--short', 'HEAD']),
    // Other work on the machine skews every figure; the load average says how much there was.
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

module.exports = { machine };
