using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Orleans.KeyValue.Client.Orleans;

/// <summary>Orleans's client TLS (Microsoft.Orleans.Connections.Security) as <see cref="KeyValueOrleansClientOptions"/> say.</summary>
internal static class GatewayTls
{
    public static void Configure(TlsOptions tls, KeyValueOrleansClientOptions options)
    {
        var authorities = new X509Certificate2Collection(options.TlsCertificateAuthorities);
        var pin = options.TlsServerCertificateThumbprint;
        tls.LocalCertificate = options.TlsClientCertificate;
        tls.ClientCertificateMode = options.TlsClientCertificate is null ? RemoteCertificateMode.NoCertificate : RemoteCertificateMode.RequireCertificate;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.RemoteCertificateValidation = (certificate, chain, _) => pin is not null
            ? string.Equals(pin.Length == 40 ? certificate.GetCertHashString() : certificate.GetCertHashString(HashAlgorithmName.SHA256), pin, StringComparison.OrdinalIgnoreCase)
            : ChainsTo(authorities, certificate, chain);
    }

    private static bool ChainsTo(X509Certificate2Collection authorities, X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }
}
