// A script that connects to a mutual-TLS server with a member's valid nkey
// and the CA, but without a client certificate, and prints what happened:
// `connected`, or `refused: <message>`. It runs apart from the test runner
// because nats.js can leave the server's fatal TLS alert uncaught.
// Usage: connect_without_cert.ts <url> <authFile> <caFile>
import { connectNats } from "../../../transport/nats_connect.ts";

const [url, authFile, caFile] = Deno.args;
try {
  const nc = await connectNats(url, {
    authFile,
    tls: { caFile },
    maxReconnectAttempts: 0,
    connectTimeoutMs: 10_000,
  });
  console.log("connected");
  await nc.close();
} catch (err) {
  console.log(`refused: ${(err as Error).message}`);
}
