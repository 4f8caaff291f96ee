import { expect } from 'chai';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LocalDynamo, LocalStackError } from '../../src/testing';
import { sharedDynamo } from '../support/stack';

describe('LocalDynamo', () => {
  it('without Java, fails with LOCAL_STACK and says how to install it', async () => {
    const error = await LocalDynamo.start({ javaPath: '/nonexistent/bin/java' }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(LocalStackError);
    expect((error as LocalStackError).code).to.equal('LOCAL_STACK');
    expect((error as LocalStackError).message).to.contain('Java 17');
    expect((error as LocalStackError).message).to.contain(
      'apt-get install openjdk-17-jre-headless',
    );
  });

  it('serves a loopback endpoint with a configured client', async () => {
    const dynamo = await sharedDynamo();
    expect(dynamo.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tables = await dynamo.client.send(new ListTablesCommand({}));
    expect(tables.TableNames).to.be.an('array');
    const own = dynamo.newClient({ maxAttempts: 1 });
    try {
      const again = await own.send(new ListTablesCommand({}));
      expect(again.TableNames).to.deep.equal(tables.TableNames);
    } finally {
      own.destroy();
    }
  });
});
