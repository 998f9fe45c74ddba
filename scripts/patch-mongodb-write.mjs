// postinstall: makes the MongoDB driver's socket write fail, instead of waiting forever, when the
// connection's socket is already gone. Without it a MongoDB-protocol server that closes every connection
// at once (FerretDB on SIGTERM, a mongod stepping down or restarting) can leave Herald answering 503 until
// it is restarted. Seen here: test/faults/mongodb-restart.test.ts, on loaded cores.
//
// The driver (mongodb 7.9, lib/cmap/connection.js, `writeCommand`) writes a command with
// `socket.write(buffer)` and, when that returns false, awaits the socket's 'drain' or 'error' event. A
// TCP socket whose peer closed it is destroyed by Node at once, but its 'close' event (which marks the
// driver's Connection closed) comes a turn of the event loop later. A write in between goes to a
// destroyed socket: Node returns false and emits neither 'drain' nor 'error' (net's writeAfterFIN calls
// destroy(), a no-op on a destroyed socket). The write then never settles. When the write is the
// server monitor's heartbeat (run at once when an operation's network error marks the server unknown,
// in that same turn), the monitor never checks again: the server stays unknown, every operation fails
// server selection after serverSelectionTimeoutMS with the stale "connection N closed", and Herald
// answers 503 for as long as the process lives, although the server is back and a new client connects
// at once. The patch throws the driver's own MongoNetworkError for a write to a destroyed socket, and
// ends a wait for 'drain' when the socket closes: the operation or heartbeat fails like any network
// error, and the monitor carries on. A socket error during that wait (EPIPE: "This socket has been ended
// by the other party") becomes a MongoNetworkError too, instead of the raw Node error the driver passed
// on (a network failure Herald could not tell from a bug: a 500 instead of a 503, and no retry).
//
// Plain .mjs, like patch-temporal-vm.mjs: runs inside `npm ci`. Idempotent; fails the install if the
// driver changed shape, so an upgrade cannot drop it silently.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../node_modules/mongodb/lib/cmap/connection.js', import.meta.url));

const PATCHES = [
  {
    original: `        try {
            if (this.socket.write(buffer))
                return;
        }`,
    patched: `        /* herald: no write to a destroyed socket (scripts/patch-mongodb-write.mjs) */
        if (this.socket.destroyed) {
            const closedError = new error_1.MongoNetworkError(\`connection \${this.id} to \${this.address} closed\`);
            this.onError(closedError);
            throw closedError;
        }
        try {
            if (this.socket.write(buffer))
                return;
        }`,
  },
  {
    original: `        const drainEvent = (0, utils_1.once)(this.socket, 'drain', options);`,
    patched: `        /* herald: a socket closed while draining ends the wait (scripts/patch-mongodb-write.mjs) */
        const drainEvent = heraldDrainOrClose(this, (0, utils_1.once)(this.socket, 'drain', options), options.signal);`,
  },
  {
    original: `exports.Connection = Connection;`,
    patched: `exports.Connection = Connection;
/* herald: 'drain', or a MongoNetworkError once the socket closes or fails (scripts/patch-mongodb-write.mjs) */
function heraldDrainOrClose(connection, drained, signal) {
    let onClose;
    const closed = new Promise((_, reject) => {
        onClose = () => reject(new error_1.MongoNetworkError(\`connection \${connection.id} to \${connection.address} closed\`));
        connection.socket.once('close', onClose);
    });
    return Promise.race([drained, closed])
        .catch((error) => {
            if (error === signal?.reason || error instanceof error_1.MongoError) throw error;
            throw new error_1.MongoNetworkError(\`connection \${connection.id} to \${connection.address} closed\`, { cause: error });
        })
        .finally(() => connection.socket.off('close', onClose));
}`,
  },
];

function apply(source, { original, patched }) {
  if (source.includes(patched)) return source;
  if (!source.includes(original)) throw new Error(`${FILE} has changed: update scripts/patch-mongodb-write.mjs for this driver version`);
  return source.replace(original, patched);
}

if (existsSync(FILE)) {
  const source = readFileSync(FILE, 'utf8');
  const result = PATCHES.reduce(apply, source);
  if (result !== source) writeFileSync(FILE, result);
  process.stdout.write(`patch-mongodb-write: connection.js ${result === source ? 'patched already' : 'patched'}\n`);
} else {
  process.stdout.write('patch-mongodb-write: mongodb absent\n');
}
