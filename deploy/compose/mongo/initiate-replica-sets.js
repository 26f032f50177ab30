// Initiates the replica sets of the compose MongoDB cluster. Run by mongosh without a default
// connection: mongosh --nodb --quiet initiate-replica-sets.js
//
// REPLICA_SETS lists the sets, separated by spaces, each `<name>/<host:port>[,<host:port>...]`.
// A set that is already initiated is left as it is, so the script runs on every `compose up`.
// A member started with --configsvr gets `configsvr: true` in its set's configuration, as
// MongoDB requires. The script ends once every set has a primary, or fails after 120 s.

const NOT_YET_INITIALIZED = 94;
const PRIMARY_TIMEOUT_MS = 120000;

/** Runs an admin command and returns its reply, with failures as `{ ok: 0, code }` replies. */
function runAdmin(connection, command) {
  try {
    return connection.getDB('admin').runCommand(command);
  } catch (error) {
    return { ok: 0, code: error.code, errmsg: error.message };
  }
}

function parseReplicaSets(value) {
  return value
    .split(/\s+/)
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [name, hosts] = entry.split('/');
      return { name, hosts: hosts.split(',') };
    });
}

function initiate(set) {
  const connection = new Mongo(set.hosts[0]);
  const status = runAdmin(connection, { replSetGetStatus: 1 });
  if (status.ok === 1) {
    print(`replica set ${set.name} is already initiated`);
    return connection;
  }
  if (status.code !== NOT_YET_INITIALIZED) {
    throw new Error(`replSetGetStatus on ${set.hosts[0]} failed: ${status.errmsg}`);
  }

  const options = runAdmin(connection, { getCmdLineOpts: 1 });
  const configsvr = options.parsed?.sharding?.clusterRole === 'configsvr';
  const config = {
    _id: set.name,
    configsvr,
    members: set.hosts.map((host, index) => ({ _id: index, host })),
  };
  const reply = runAdmin(connection, { replSetInitiate: config });
  if (reply.ok !== 1) {
    throw new Error(`replSetInitiate of ${set.name} failed: ${reply.errmsg}`);
  }
  print(`initiated replica set ${set.name} (${set.hosts.join(', ')})`);
  return connection;
}

function waitForPrimary(set, connection) {
  const deadline = Date.now() + PRIMARY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const hello = runAdmin(connection, { hello: 1 });
    if (hello.ok === 1 && typeof hello.primary === 'string') {
      print(`replica set ${set.name} has primary ${hello.primary}`);
      return;
    }
    sleep(1000);
  }
  throw new Error(`replica set ${set.name} has no primary after ${PRIMARY_TIMEOUT_MS} ms`);
}

const sets = parseReplicaSets(process.env.REPLICA_SETS ?? '');
if (sets.length === 0) {
  throw new Error('REPLICA_SETS is empty: list the sets as <name>/<host:port> separated by spaces');
}
for (const set of sets) {
  waitForPrimary(set, initiate(set));
}
