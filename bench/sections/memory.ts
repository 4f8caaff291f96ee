import { marshall } from '@aws-sdk/util-dynamodb';
import { TheoryDb } from '../../src';
import { PlainOrder, orderFields } from '../support/entities';
import type { Figures } from '../support/figures';
import { collectGarbage } from '../support/harness';
import type { BenchSettings } from '../support/settings';
import { StubDynamo } from '../support/stub-dynamo';

const MB = 1024 * 1024;

/**
 * Section 5: memory of a long scan. `for await` over a scan of `items` orders, served page by
 * page (`pageItems` a page, like DynamoDB's 1 MB pages) by an instant-answer endpoint that makes
 * each page when it is asked for, so nothing but theorydb and the SDK holds items. RSS and heap
 * are sampled every 500 items; the growth is the peak over the RSS measured just before the scan,
 * and the second-half growth what the peak still rose after half the items (about zero when memory
 * is bounded by a page, not by the scan).
 */
export async function memorySection(settings: BenchSettings): Promise<Figures> {
  const { items, pageItems } = settings.memory;
  const stub = new StubDynamo();
  stub.respondWith('Scan', (body) => {
    const request = JSON.parse(body) as { ExclusiveStartKey?: { orderId?: { S?: string } } };
    const after = request.ExclusiveStartKey?.orderId?.S;
    const start = after === undefined ? 0 : Number(after.slice('order-'.length)) + 1;
    const end = Math.min(items, start + pageItems);
    const page = [];
    for (let n = start; n < end; n += 1) page.push(marshall(orderFields(`customer-${n % 997}`, n)));
    const last = page[page.length - 1];
    return JSON.stringify({
      Items: page,
      Count: page.length,
      ScannedCount: page.length,
      ...(end < items && last !== undefined
        ? { LastEvaluatedKey: { customerId: last.customerId, orderId: last.orderId } }
        : {}),
    });
  });
  const orders = new TheoryDb({ dynamodb: stub.client }).repository(PlainOrder);

  collectGarbage();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  /** The peak over the first half of the scan: a bounded scan stops growing after it. */
  let firstHalfPeakRss = before.rss;
  let seen = 0;
  let total = 0;
  const started = performance.now();
  for await (const order of orders.scan()) {
    seen += 1;
    total += order.total;
    if (seen % 500 === 0) {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
      if (seen <= items / 2) firstHalfPeakRss = peakRss;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  stub.client.destroy();
  if (seen !== items || !Number.isFinite(total)) {
    throw new Error(`the scan read ${seen} of ${items} items`);
  }
  return {
    items: seen,
    pages: Math.ceil(items / pageItems),
    itemsPerSec: seen / seconds,
    baselineRssMb: before.rss / MB,
    peakRssMb: peakRss / MB,
    rssGrowthMb: (peakRss - before.rss) / MB,
    secondHalfRssGrowthMb: (peakRss - firstHalfPeakRss) / MB,
    heapGrowthMb: (peakHeap - before.heapUsed) / MB,
  };
}
