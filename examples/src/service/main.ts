// The shop service as its own process (what a real deployment runs), started by the demo:
//   node --conditions=source --import tsx examples/src/service/main.ts <deploy_path> [catalogue MiB] [options JSON]
// The options JSON holds `workers` and `sessions` (ShopServiceOptions). It prints one JSON line
// {"url": ...} once listening, and exits when its stdin closes, so it never outlives the demo
// that started it, even one killed with SIGKILL.
import { type ShopServiceOptions, startShopService } from './shop-service';

const deployPath = process.argv[2];
if (deployPath === undefined) {
  process.stderr.write('usage: main.ts <deploy_path> [catalogue MiB] [options JSON]\n');
  process.exit(2);
}
const extra = JSON.parse(process.argv[4] ?? '{}') as Pick<ShopServiceOptions, 'workers' | 'sessions'>;
const service = await startShopService(deployPath, {
  ...extra,
  catalogueBytes: Number(process.argv[3] ?? 0) * 1024 * 1024,
});
process.stdout.write(`${JSON.stringify({ url: service.url })}\n`);

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void service.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
