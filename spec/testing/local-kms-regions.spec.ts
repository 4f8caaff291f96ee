import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
  ReplicateKeyCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { expect } from 'chai';
import { ValidationError } from '../../src/errors';
import { LocalKms } from '../../src/testing/local-kms';

// Three LocalKms instances of one partition stand for three regions of one account. Every
// request goes through the unmodified SDK client of the region it is meant for.
const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const SOUTH = 'ap-southeast-2';
const ACCOUNT = '111122223333';
const MRK_ID = /^mrk-[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const context = { purpose: 'mrk-test' };

function arnIn(region: string, keyId: string): string {
  return `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

describe('LocalKms regions and multi-region keys', () => {
  let east: LocalKms;
  let west: LocalKms;
  let south: LocalKms;
  let eastClient: KMSClient;
  let westClient: KMSClient;
  let southClient: KMSClient;

  before(async () => {
    east = await LocalKms.start({ region: EAST });
    west = await LocalKms.start({ region: WEST, peer: east });
    south = await LocalKms.start({ region: SOUTH, peer: west });
    eastClient = east.client();
    westClient = west.client();
    southClient = south.client();
  });

  after(() => Promise.all([east.stop(), west.stop(), south.stop()]));

  afterEach(() => {
    for (const kms of [east, west, south]) kms.resetCalls();
  });

  async function createMrk(description = ''): Promise<KeyMetadata> {
    const out = await eastClient.send(
      new CreateKeyCommand({ MultiRegion: true, Description: description }),
    );
    return out.KeyMetadata!;
  }

  async function describeKey(client: KMSClient, keyId: string): Promise<KeyMetadata> {
    return (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
  }

  async function encrypt(client: KMSClient, keyId: string, text: string): Promise<Uint8Array> {
    const out = await client.send(
      new EncryptCommand({
        KeyId: keyId,
        Plaintext: Buffer.from(text),
        EncryptionContext: context,
      }),
    );
    return out.CiphertextBlob!;
  }

  async function decrypt(
    client: KMSClient,
    blob: Uint8Array,
    keyId?: string,
  ): Promise<{ text: string; keyId: string }> {
    const out = await client.send(
      new DecryptCommand({ CiphertextBlob: blob, KeyId: keyId, EncryptionContext: context }),
    );
    return { text: Buffer.from(out.Plaintext!).toString(), keyId: out.KeyId! };
  }

  describe('regions', () => {
    it('puts its region in every ARN it answers with', async () => {
      const out = await westClient.send(new CreateKeyCommand({}));
      expect(out.KeyMetadata!.KeyId).to.match(UUID);
      expect(out.KeyMetadata!.Arn).to.equal(arnIn(WEST, out.KeyMetadata!.KeyId!));
      const blob = await encrypt(westClient, out.KeyMetadata!.KeyId!, 'x');
      expect((await decrypt(westClient, blob)).keyId).to.equal(
        arnIn(WEST, out.KeyMetadata!.KeyId!),
      );
    });

    it('refuses to join a partition that already has an instance for its region', async () => {
      const error = await rejectionOf(LocalKms.start({ region: WEST, peer: east }));
      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.contain(WEST);
    });

    it('a stopped instance leaves its partition: its region can be started again', async () => {
      const first = await LocalKms.start({ region: 'ca-central-1', peer: east });
      const arn = await east.createKey({ multiRegion: true });
      await first.stop();
      const gone = await rejectionOf(
        eastClient.send(new ReplicateKeyCommand({ KeyId: arn, ReplicaRegion: 'ca-central-1' })),
      );
      expect(gone.name).to.equal('UnsupportedOperationException');
      const second = await LocalKms.start({ region: 'ca-central-1', peer: east });
      try {
        const out = await eastClient.send(
          new ReplicateKeyCommand({ KeyId: arn, ReplicaRegion: 'ca-central-1' }),
        );
        expect(out.ReplicaKeyMetadata!.Arn).to.equal(arn.replace(EAST, 'ca-central-1'));
        expect((await describeKey(second.client(), arn.split('/')[1])).Arn).to.equal(
          arn.replace(EAST, 'ca-central-1'),
        );
      } finally {
        await second.stop();
      }
    });
  });

  describe('CreateKey', () => {
    it('MultiRegion: true makes an mrk- primary key with its configuration', async () => {
      const meta = await createMrk('primary');
      expect(meta.KeyId).to.match(MRK_ID);
      expect(meta.Arn).to.equal(arnIn(EAST, meta.KeyId!));
      expect(meta.MultiRegion).to.equal(true);
      expect(meta.MultiRegionConfiguration).to.deep.equal({
        MultiRegionKeyType: 'PRIMARY',
        PrimaryKey: { Arn: meta.Arn, Region: EAST },
        ReplicaKeys: [],
      });
      expect(meta.Description).to.equal('primary');
      expect(meta.KeyState).to.equal('Enabled');
      expect(east.calls('CreateKey')).to.equal(1);
    });

    it('single-region keys (the default and MultiRegion: false) report no configuration', async () => {
      for (const request of [{}, { MultiRegion: false }]) {
        const meta = (await eastClient.send(new CreateKeyCommand(request))).KeyMetadata!;
        expect(meta.KeyId).to.match(UUID);
        expect(meta.MultiRegion).to.equal(false);
        expect(meta.MultiRegionConfiguration).to.equal(undefined);
      }
    });

    it('refuses a MultiRegion that is not a boolean', async () => {
      const error = await rejectionOf(
        eastClient.send(new CreateKeyCommand({ MultiRegion: 'yes' as unknown as boolean })),
      );
      expect(error.name).to.equal('ValidationException');
    });
  });

  describe('ReplicateKey', () => {
    it('creates the replica in the other instance: same key id, ARN differing only in region', async () => {
      const primary = await createMrk();
      const keyId = primary.KeyId!;
      const out = await eastClient.send(
        new ReplicateKeyCommand({ KeyId: primary.Arn, ReplicaRegion: WEST, Description: 'copy' }),
      );
      const replica = out.ReplicaKeyMetadata!;
      const replicaArn = arnIn(WEST, keyId);
      expect(replica.KeyId).to.equal(keyId);
      expect(replica.Arn).to.equal(replicaArn);
      expect(replica.Arn).to.equal(primary.Arn!.replace(`:${EAST}:`, `:${WEST}:`));
      expect(replica.AWSAccountId).to.equal(ACCOUNT);
      expect(replica.Description).to.equal('copy');
      expect(replica.KeyState).to.equal('Enabled');
      expect(replica.MultiRegion).to.equal(true);
      expect(replica.MultiRegionConfiguration).to.deep.equal({
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: primary.Arn, Region: EAST },
        ReplicaKeys: [{ Arn: replicaArn, Region: WEST }],
      });
      // The request went to the primary's region only.
      expect(east.calls('ReplicateKey')).to.equal(1);
      expect(west.calls()).to.equal(0);

      for (const ref of [keyId, replicaArn]) {
        const described = await describeKey(westClient, ref);
        expect(described.Arn, ref).to.equal(replicaArn);
        expect(described.MultiRegionConfiguration, ref).to.deep.equal(
          replica.MultiRegionConfiguration,
        );
      }
      expect((await describeKey(eastClient, keyId)).MultiRegionConfiguration).to.deep.equal({
        MultiRegionKeyType: 'PRIMARY',
        PrimaryKey: { Arn: primary.Arn, Region: EAST },
        ReplicaKeys: [{ Arn: replicaArn, Region: WEST }],
      });
    });

    it('lists every replica, in creation order, on the primary and on each replica', async () => {
      const primary = await createMrk();
      const keyId = primary.KeyId!;
      await eastClient.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: SOUTH }));
      await eastClient.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: WEST }));
      const replicaKeys = [
        { Arn: arnIn(SOUTH, keyId), Region: SOUTH },
        { Arn: arnIn(WEST, keyId), Region: WEST },
      ];
      const cases: Array<[KMSClient, string]> = [
        [eastClient, 'PRIMARY'],
        [westClient, 'REPLICA'],
        [southClient, 'REPLICA'],
      ];
      for (const [client, type] of cases) {
        const meta = await describeKey(client, keyId);
        expect(meta.MultiRegionConfiguration, type).to.deep.equal({
          MultiRegionKeyType: type,
          PrimaryKey: { Arn: primary.Arn, Region: EAST },
          ReplicaKeys: replicaKeys,
        });
      }
    });

    it('refuses what KMS refuses, with its exception names', async () => {
      const single = await east.createKey();
      const mrk = await east.createKey({ multiRegion: true, alias: 'alias/mrk-refusals' });
      const mrkId = mrk.split('/')[1];
      await east.replicateKey(mrk, WEST);
      const cases: Array<[KMSClient, string, string, string]> = [
        [eastClient, single, WEST, 'UnsupportedOperationException'], // not multi-region
        [westClient, mrkId, SOUTH, 'UnsupportedOperationException'], // a replica, not the primary
        [eastClient, mrk, EAST, 'ValidationException'], // the primary's own region
        [eastClient, mrk, WEST, 'AlreadyExistsException'], // a replica is already there
        [eastClient, mrk, 'xx-nowhere-1', 'UnsupportedOperationException'], // not in the partition
        [eastClient, mrk, 'EU WEST', 'ValidationException'], // not a region id
        [eastClient, 'alias/mrk-refusals', SOUTH, 'NotFoundException'], // aliases are not accepted
        [
          eastClient,
          arnIn(EAST, 'mrk-00000000000000000000000000000000'),
          SOUTH,
          'NotFoundException',
        ],
      ];
      for (const [client, keyId, region, name] of cases) {
        const error = await rejectionOf(
          client.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: region })),
        );
        expect(error.name, `${keyId} -> ${region}`).to.equal(name);
      }
      expect(south.calls()).to.equal(0);
      // Nothing was half-created in the south region.
      const missing = await rejectionOf(describeKey(southClient, mrkId));
      expect(missing.name).to.equal('NotFoundException');
    });

    it('refuses a primary pending deletion', async () => {
      const mrk = await east.createKey({ multiRegion: true });
      await east.scheduleDeletion(mrk);
      const error = await rejectionOf(
        eastClient.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: WEST })),
      );
      expect(error.name).to.equal('KMSInvalidStateException');
    });

    it('the convenience methods do the same without a request', async () => {
      const arn = await east.createKey({ multiRegion: true, description: 'conv' });
      const keyId = arn.split('/')[1];
      expect(keyId).to.match(MRK_ID);
      expect(await east.replicateKey(arn, SOUTH)).to.equal(arnIn(SOUTH, keyId));
      expect(east.calls() + south.calls()).to.equal(0);
      const meta = await describeKey(southClient, keyId);
      expect(meta.MultiRegionConfiguration!.MultiRegionKeyType).to.equal('REPLICA');
      const error = await rejectionOf(east.replicateKey(arn, SOUTH));
      expect(error.name).to.equal('AlreadyExistsException');
    });
  });

  describe('cryptography across regions', () => {
    it('a ciphertext of the primary decrypts under the replica, and vice versa', async () => {
      const primary = await createMrk();
      const keyId = primary.KeyId!;
      // Encrypted before the replica exists: the replica still has the same material.
      const early = await encrypt(eastClient, primary.Arn!, 'made in east before replication');
      await eastClient.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: WEST }));
      const replicaArn = arnIn(WEST, keyId);

      expect(await decrypt(westClient, early, replicaArn)).to.deep.equal({
        text: 'made in east before replication',
        keyId: replicaArn,
      });
      const fromWest = await encrypt(westClient, replicaArn, 'made in west');
      expect(await decrypt(eastClient, fromWest, primary.Arn)).to.deep.equal({
        text: 'made in west',
        keyId: primary.Arn,
      });
      expect((await decrypt(eastClient, fromWest)).keyId).to.equal(primary.Arn);

      const dataKey = await eastClient.send(
        new GenerateDataKeyCommand({
          KeyId: keyId,
          KeySpec: 'AES_256',
          EncryptionContext: context,
        }),
      );
      const unwrapped = await westClient.send(
        new DecryptCommand({
          CiphertextBlob: dataKey.CiphertextBlob,
          KeyId: replicaArn,
          EncryptionContext: context,
        }),
      );
      expect(Buffer.from(unwrapped.Plaintext!).equals(Buffer.from(dataKey.Plaintext!))).to.equal(
        true,
      );
      expect(west.calls('Decrypt')).to.equal(2);
    });

    it('the encryption context still binds across regions', async () => {
      const arn = await east.createKey({ multiRegion: true });
      await east.replicateKey(arn, WEST);
      const blob = await encrypt(eastClient, arn, 'bound');
      const error = await rejectionOf(
        westClient.send(
          new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { purpose: 'other' } }),
        ),
      );
      expect(error.name).to.equal('InvalidCiphertextException');
    });

    it('a region without the replica cannot decrypt', async () => {
      const arn = await east.createKey({ multiRegion: true });
      await east.replicateKey(arn, WEST);
      const blob = await encrypt(eastClient, arn, 'not for south');
      const error = await rejectionOf(decrypt(southClient, blob));
      expect(error.name).to.equal('InvalidCiphertextException');
    });

    it("a single-region key's ciphertext never decrypts in another instance", async () => {
      const eastKey = await east.createKey();
      const westKey = await west.createKey();
      const blob = await encrypt(eastClient, eastKey, 'stays in east');
      for (const keyId of [undefined, westKey]) {
        const error = await rejectionOf(decrypt(westClient, blob, keyId));
        expect(error.name, String(keyId)).to.equal('InvalidCiphertextException');
      }
      // The east ARN names no key in the west region.
      const foreign = await rejectionOf(decrypt(westClient, blob, eastKey));
      expect(foreign.name).to.equal('NotFoundException');
    });

    it('Decrypt pinned to another key of the region is IncorrectKeyException', async () => {
      const arn = await east.createKey({ multiRegion: true });
      await east.replicateKey(arn, WEST);
      const otherMrk = await east.createKey({ multiRegion: true });
      const otherReplica = await east.replicateKey(otherMrk, WEST);
      const westKey = await west.createKey({ alias: 'alias/west-only' });
      const blob = await encrypt(eastClient, arn, 'pinned');
      for (const keyId of [otherReplica, westKey, 'alias/west-only']) {
        const error = await rejectionOf(decrypt(westClient, blob, keyId));
        expect(error.name, keyId).to.equal('IncorrectKeyException');
      }
      const inEast = await rejectionOf(decrypt(eastClient, blob, otherMrk));
      expect(inEast.name).to.equal('IncorrectKeyException');
    });

    it('key state is per region: a disabled replica fails, its primary keeps working', async () => {
      const arn = await east.createKey({ multiRegion: true });
      const replicaArn = await east.replicateKey(arn, WEST);
      const blob = await encrypt(eastClient, arn, 'state');
      await west.disableKey(replicaArn);
      const error = await rejectionOf(decrypt(westClient, blob, replicaArn));
      expect(error.name).to.equal('DisabledException');
      expect((await describeKey(westClient, replicaArn)).KeyState).to.equal('Disabled');
      expect((await describeKey(eastClient, arn)).KeyState).to.equal('Enabled');
      expect((await decrypt(eastClient, blob, arn)).text).to.equal('state');
    });
  });

  describe('aliases', () => {
    it('are per region: one alias name can point at the primary here and the replica there', async () => {
      const arn = await east.createKey({ multiRegion: true, alias: 'alias/global-app' });
      const keyId = arn.split('/')[1];
      const replicaArn = await east.replicateKey(arn, WEST);
      const missing = await rejectionOf(describeKey(westClient, 'alias/global-app'));
      expect(missing.name).to.equal('NotFoundException');
      await westClient.send(
        new CreateAliasCommand({ AliasName: 'alias/global-app', TargetKeyId: keyId }),
      );
      expect((await describeKey(westClient, 'alias/global-app')).Arn).to.equal(replicaArn);
      expect(
        (await describeKey(westClient, `arn:aws:kms:${WEST}:${ACCOUNT}:alias/global-app`)).Arn,
      ).to.equal(replicaArn);
      expect((await describeKey(eastClient, 'alias/global-app')).Arn).to.equal(arn);
      const blob = await encrypt(westClient, 'alias/global-app', 'via alias');
      expect((await decrypt(eastClient, blob, 'alias/global-app')).text).to.equal('via alias');
    });
  });
});
