// s3rver in a process of its own, started by test/support/s3.ts: `node s3-server.mjs <directory> <bucket>…`.
// Prints {"port":…} on its first line when it listens; ends when its standard input closes, so that it
// never outlives the test process that started it, however that one ends.
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  // Path-style only: bucket names are never read from the Host header.
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);

const stop = () => server.close().finally(() => process.exit(0));
process.stdin.on('end', stop).on('error', stop).resume();
process.on('SIGTERM', stop);
