// Preloaded with `node --require` into a service under test: appends every outbound TCP
// connection or DNS lookup that is not to the loopback address to EGRESS_LOG_FILE, so a test
// can check that the process contacts nothing but the services it was configured with.
'use strict';
const dns = require('node:dns');
const fs = require('node:fs');
const net = require('node:net');

const logFile = process.env.EGRESS_LOG_FILE;
const loopback = /^(127\.|::1$|::ffff:127\.|localhost$)/;

function record(kind, target) {
  if (!logFile || target === undefined || loopback.test(String(target))) return;
  fs.appendFileSync(logFile, `${process.pid} ${kind} ${target}\n`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = args[0];
  const options = Array.isArray(first) ? first[0] : first;
  if (options && typeof options === 'object') {
    if (!options.path) record('connect', options.host ?? 'localhost');
  } else if (typeof first === 'number') {
    record('connect', typeof args[1] === 'string' ? args[1] : 'localhost');
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  record('lookup', hostname);
  return lookup.call(this, hostname, ...rest);
};
