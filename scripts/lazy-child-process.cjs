/**
 * commander requires node:child_process when it loads, for executable subcommands,
 * which sidecar-trace does not have; loading it (and net, dgram, streams behind it)
 * costs about 9 ms of a 140 ms start. The bundle gives commander this stand-in
 * instead (scripts/bundle.mjs): the real module loads on first use, if ever.
 */
'use strict';

let real;
// Required here, inside the function: the bundle keeps the call where it is, so it runs on first use.
const load = () => (real ??= require('node:child_process'));

module.exports = new Proxy(
  {},
  {
    get: (_, key) => load()[key],
    has: (_, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, key) => Object.getOwnPropertyDescriptor(load(), key),
  },
);
