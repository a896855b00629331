using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>
/// A throwaway PKI for one test class, made with System.Security.Cryptography: a CA, a server
/// certificate it signs (SAN 127.0.0.1 and localhost, usable for server and client
/// authentication, as a silo is both to its peers), a client certificate it signs, and a client
/// certificate signed by another CA (to be refused). Each is written as PEM to a temporary
/// folder, removed on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public TestCertificates()
    {
        Directory = Path.Combine(Path.GetTempPath(), "kv-tls-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        using var caKey = RSA.Create(2048);
        Authority = MakeAuthority("kv test CA", caKey);
        using var serverKey = RSA.Create(2048);
        Server = Sign(Authority, caKey, "localhost", serverKey, [ServerAuthentication, ClientAuthentication], withNames: true);
        using var clientKey = RSA.Create(2048);
        Client = Sign(Authority, caKey, "kv test client", clientKey, [ClientAuthentication], withNames: false);

        using var otherCaKey = RSA.Create(2048);
        using var otherAuthority = MakeAuthority("another CA", otherCaKey);
        using var strangerKey = RSA.Create(2048);
        Stranger = Sign(otherAuthority, otherCaKey, "stranger", strangerKey, [ClientAuthentication], withNames: false);

        CaFile = Write("ca.pem", Authority.ExportCertificatePem());
        ServerCertFile = Write("server.pem", Server.ExportCertificatePem());
        ServerKeyFile = Write("server.key", serverKey.ExportPkcs8PrivateKeyPem());
        ClientCertFile = Write("client.pem", Client.ExportCertificatePem());
        ClientKeyFile = Write("client.key", clientKey.ExportPkcs8PrivateKeyPem());
        StrangerCertFile = Write("stranger.pem", Stranger.ExportCertificatePem());
        StrangerKeyFile = Write("stranger.key", strangerKey.ExportPkcs8PrivateKeyPem());
    }

    public string Directory { get; }

    public X509Certificate2 Authority { get; }

    /// <summary>The server's certificate, with its key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>A client certificate the CA signed, with its key.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>A client certificate another CA signed, with its key.</summary>
    public X509Certificate2 Stranger { get; }

    public string CaFile { get; }

    public string ServerCertFile { get; }

    public string ServerKeyFile { get; }

    public string ClientCertFile { get; }

    public string ClientKeyFile { get; }

    public string StrangerCertFile { get; }

    public string StrangerKeyFile { get; }

    /// <summary>The silo flags for a TLS port with this PKI (client certificates required, as Redis's default with a CA).</summary>
    public string[] SiloArguments(int tlsPort) =>
    [
        "--tls-port", tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--tls-cert-file", ServerCertFile,
        "--tls-key-file", ServerKeyFile,
        "--tls-ca-cert-file", CaFile,
    ];

    /// <summary>redis-cli's flags to speak TLS, trusting the CA, with the client certificate unless told otherwise.</summary>
    public string[] RedisCliArguments(bool withClientCertificate = true) => withClientCertificate
        ? ["--tls", "--cacert", CaFile, "--cert", ClientCertFile, "--key", ClientKeyFile]
        : ["--tls", "--cacert", CaFile];

    /// <summary>A validation callback that trusts exactly this CA.</summary>
    public bool IsSignedByAuthority(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Authority.Dispose();
        Server.Dispose();
        Client.Dispose();
        Stranger.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner: a process may still hold a file.
        }
    }

    private static X509Certificate2 MakeAuthority(string name, RSA key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Sign(X509Certificate2 authority, RSA authorityKey, string name, RSA key, Oid[] usages, bool withNames)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        var usageList = new OidCollection();
        foreach (var usage in usages)
        {
            usageList.Add(usage);
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usageList, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (withNames)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForRSA(authorityKey, RSASignaturePadding.Pkcs1), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        return signed.CopyWithPrivateKey(key);
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, pem);
        return path;
    }
}
