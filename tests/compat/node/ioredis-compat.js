// ioredis, unmodified, against a server: node ioredis-compat.js <port> <key-prefix>
// Prints PASS and exits 0 when every check holds; prints the failure and exits 1 otherwise.
'use strict';
const assert = require('node:assert/strict');
const Redis = require('ioredis');

async function main() {
  const port = Number(process.argv[2]);
  const p = process.argv[3];
  const r = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, lazyConnect: true });
  await r.connect();
  try {
    assert.equal(await r.ping(), 'PONG');
    assert.equal(await r.set(p + 'k', 'v'), 'OK');
    assert.equal(await r.get(p + 'k'), 'v');
    assert.equal(await r.set(p + 'k', 'w', 'NX'), null);
    assert.equal(await r.set(p + 'k', 'w', 'XX', 'GET'), 'v');
    assert.equal(await r.set(p + 'e', 'v', 'PX', 100000), 'OK');
    const pttl = await r.pttl(p + 'e');
    assert.ok(pttl > 90000 && pttl <= 100000, 'pttl ' + pttl);
    assert.equal(await r.set(p + 'e', 'x', 'KEEPTTL'), 'OK');
    assert.ok((await r.ttl(p + 'e')) > 0);
    assert.equal(await r.exists(p + 'k', p + 'e', p + 'missing'), 2);
    assert.equal(await r.del(p + 'k', p + 'missing'), 1);
    assert.equal(await r.get(p + 'k'), null);

    // Pipelining: many commands in one write, replies in order.
    const pipeline = r.pipeline();
    for (let i = 0; i < 500; i++) pipeline.set(p + 'pipe:' + i, String(i));
    for (let i = 0; i < 500; i++) pipeline.get(p + 'pipe:' + i);
    const results = await pipeline.exec();
    for (let i = 0; i < 500; i++) {
      assert.deepEqual(results[i], [null, 'OK']);
      assert.deepEqual(results[500 + i], [null, String(i)]);
    }

    // The lock pattern of the Redis docs, with the unlock script through ioredis's defineCommand (EVALSHA, then EVAL on NOSCRIPT).
    r.defineCommand('unlock', {
      numberOfKeys: 1,
      lua: "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end",
    });
    assert.equal(await r.set(p + 'lock', 'token-1', 'NX', 'PX', 30000), 'OK');
    assert.equal(await r.set(p + 'lock', 'token-2', 'NX', 'PX', 30000), null);
    assert.equal(await r.unlock(p + 'lock', 'token-2'), 0);
    assert.equal(await r.unlock(p + 'lock', 'token-1'), 1);
    assert.equal(await r.exists(p + 'lock'), 0);

    // Errors come back as Redis errors with the server's text.
    await assert.rejects(r.set(p + 'bad', 'v', 'EX', 0), /ERR invalid expire time in 'set' command/);
    await assert.rejects(r.call('SET', p + 'bad', 'v', 'NX', 'XX'), /ERR syntax error/);
    console.log('PASS');
  } finally {
    r.disconnect();
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
