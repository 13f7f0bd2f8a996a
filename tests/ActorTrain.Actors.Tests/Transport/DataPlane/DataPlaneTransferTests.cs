using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorTrain.Actors.Security;
using ActorTrain.Actors.Transport.DataPlane;

namespace ActorTrain.Actors.Tests.Transport.DataPlane;

/// <summary>The data plane's server and client on loopback: exact bytes, checksums, failures, security, concurrency.</summary>
public sealed class DataPlaneTransferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4097)]
    [InlineData((1 << 20) + 3)]
    [InlineData((64 << 20) + 1)]
    public async Task Fetch_AnySize_ArrivesBitExactAndBothSidesReleaseTheirBuffers(int size)
    {
        using var plane = new DataPlaneHarness();
        var bytes = DataPlaneHarness.RandomBytes(size, seed: size);
        var handle = plane.Offer(bytes);

        var received = await plane.Client.FetchAsync(handle);

        Assert.True(bytes.AsSpan().SequenceEqual(received), $"{size} bytes differ after the round trip");
        Assert.Equal(0, plane.Client.ReceivingBytes);
        await DataPlaneHarness.Eventually(() => plane.Store.HeldBytes == 0 && plane.Store.HeldBlobs == 0, "the sender released the fetched blob");
    }

    [Fact]
    public async Task Fetch_CorruptedByte_IsDetectedOnEveryAttemptAndNeverReturned()
    {
        using var plane = new DataPlaneHarness();
        var bytes = DataPlaneHarness.RandomBytes(3 << 20, seed: 1);
        var handle = plane.Offer(bytes);
        bytes[1_234_567] ^= 0x10; // after the checksum was taken: one flipped bit on the way

        var error = await Assert.ThrowsAsync<DataPlaneException>(() => plane.Client.FetchAsync(handle));

        Assert.Contains("CRC-32C", error.Message);
        Assert.Equal(plane.Settings.Attempts, plane.Client.ChecksumFailures);
        Assert.Equal(plane.Settings.Attempts - 1, plane.Client.Retries);
        Assert.Equal(0, plane.Client.ReceivingBytes);
    }

    [Fact]
    public async Task Fetch_PeerKilledMidTransfer_RetriesThenFailsWithNoBufferOrConnectionLeft()
    {
        using var plane = new DataPlaneHarness();
        using var peer = new MisbehavingPeer(announcedBytes: 16 << 20);
        var handle = new BlobHandle("akka.tcp://actortrain@127.0.0.1:2", "127.0.0.1", peer.Port, 7, 16 << 20, 0);

        var error = await Assert.ThrowsAsync<DataPlaneException>(() => plane.Client.FetchAsync(handle));

        Assert.Contains("failed 3 times", error.Message);
        Assert.Equal(3, peer.Connections); // one fresh connection per attempt
        Assert.Equal(0, plane.Client.ReceivingBytes);
        Assert.Equal(0, plane.Client.OpenConnections);
    }

    [Fact]
    public async Task Fetch_SilentPeer_TimesOutPerAttempt()
    {
        using var plane = new DataPlaneHarness(DataPlaneHarness.Defaults with { Timeout = TimeSpan.FromMilliseconds(300), Attempts = 2 });
        using var peer = new MisbehavingPeer(announcedBytes: 1024, silent: true);
        var handle = new BlobHandle("akka.tcp://actortrain@127.0.0.1:2", "127.0.0.1", peer.Port, 7, 1024, 0);

        var error = await Assert.ThrowsAsync<DataPlaneException>(() => plane.Client.FetchAsync(handle));

        Assert.Contains("no progress within", error.Message);
        Assert.Equal((0L, 0), (plane.Client.ReceivingBytes, plane.Client.OpenConnections));
    }

    [Fact]
    public async Task Fetch_ReleasedBlob_FailsAtOnceAsGone()
    {
        using var plane = new DataPlaneHarness();
        var handle = plane.Offer(new byte[10]);
        plane.Store.Release(handle.BlobId);

        await Assert.ThrowsAsync<BlobGoneException>(() => plane.Client.FetchAsync(handle));
        Assert.Equal(0, plane.Client.Retries);
    }

    [Fact]
    public async Task Fetch_ManyTransfersInFlight_AllArriveExactWithinTheConnectionAndMemoryBounds()
    {
        var settings = DataPlaneHarness.Defaults with { ConnectionsPerPeer = 4, MaxReceivingBytes = 8 << 20 };
        using var plane = new DataPlaneHarness(settings);
        var blobs = Enumerable.Range(0, 64).Select(i => DataPlaneHarness.RandomBytes((1 << 20) + i * 977, seed: 100 + i)).ToArray();
        var handles = blobs.Select(plane.Offer).ToArray();
        long peakReceiving = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakReceiving = Math.Max(peakReceiving, plane.Client.ReceivingBytes);
                Assert.True(plane.Client.OpenConnections <= 4, $"{plane.Client.OpenConnections} connections to one peer");
                await Task.Delay(1);
            }
        });

        var received = await Task.WhenAll(handles.Select(h => plane.Client.FetchAsync(h)));
        await sampling.CancelAsync();
        await sampler;

        for (var i = 0; i < blobs.Length; i++) Assert.True(blobs[i].AsSpan().SequenceEqual(received[i]), $"transfer {i} differs");
        Assert.True(peakReceiving <= 8 << 20, $"receive buffers peaked at {peakReceiving} bytes, above the 8 MiB budget");
        Assert.Equal(0, plane.Client.ReceivingBytes);
        await DataPlaneHarness.Eventually(() => plane.Store.HeldBlobs == 0, "every fetched blob was released");
    }

    [Fact]
    public async Task Handshake_SameSecret_Fetches_OtherOrNoSecret_IsRefused()
    {
        var secret = new ClusterSecurity(null, RandomNumberGenerator.GetBytes(32), TimeSpan.FromSeconds(10));
        var other = secret with { Secret = RandomNumberGenerator.GetBytes(32) };
        using (var good = new DataPlaneHarness(serverSecurity: secret))
            Assert.Equal(new byte[] { 1, 2, 3 }, await good.Client.FetchAsync(good.Offer([1, 2, 3])));

        foreach (var client in new[] { other, ClusterSecurity.None })
        {
            using var bad = new DataPlaneHarness(serverSecurity: secret, clientSecurity: client);
            var handle = bad.Offer([1, 2, 3]);
            var error = await Assert.ThrowsAsync<DataPlaneRefusedException>(() => bad.Client.FetchAsync(handle));
            Assert.Contains("cluster secret", error.Message);
            await DataPlaneHarness.Eventually(() => bad.Server.Refused == 1, "the server counted the refused connection");
            Assert.Equal(1, bad.Store.HeldBlobs); // nothing was served
        }
    }

    [Fact]
    public async Task Handshake_ClientWithSecretAndServerWithout_IsRefusedByTheClient()
    {
        var secret = new ClusterSecurity(null, RandomNumberGenerator.GetBytes(32), TimeSpan.FromSeconds(10));
        using var plane = new DataPlaneHarness(serverSecurity: ClusterSecurity.None, clientSecurity: secret);
        var error = await Assert.ThrowsAsync<DataPlaneRefusedException>(() => plane.Client.FetchAsync(plane.Offer([9])));
        Assert.Contains("did not prove the cluster secret", error.Message);
    }

    [Fact]
    public async Task Tls_ClusterCertificate_Fetches_OtherCertificate_IsRefused()
    {
        using var cluster = Certificate("CN=cluster");
        using var stranger = Certificate("CN=stranger");
        var tls = new ClusterSecurity(cluster, RandomNumberGenerator.GetBytes(32), TimeSpan.FromSeconds(10));
        using (var good = new DataPlaneHarness(serverSecurity: tls))
        {
            var bytes = DataPlaneHarness.RandomBytes(2 << 20, seed: 4);
            var received = await good.Client.FetchAsync(good.Offer(bytes));
            Assert.True(bytes.AsSpan().SequenceEqual(received));
        }

        using var bad = new DataPlaneHarness(DataPlaneHarness.Defaults with { Attempts = 1 }, serverSecurity: tls, clientSecurity: tls with { Certificate = stranger });
        await Assert.ThrowsAsync<DataPlaneException>(() => bad.Client.FetchAsync(bad.Offer([1])));
        await DataPlaneHarness.Eventually(() => bad.Server.Refused == 1, "the server refused the stranger's certificate");
    }

    private static X509Certificate2 Certificate(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var created = request.CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
