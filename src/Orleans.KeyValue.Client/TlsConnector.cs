using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orleans.KeyValue.Client;

/// <summary>
/// Wraps a connected socket's stream in TLS as <see cref="KeyValueClientOptions"/> say: the
/// server's certificate checked against the given CAs (or the system's), a pinned thumbprint,
/// or the caller's own callback; a client certificate when given.
/// </summary>
internal sealed class TlsConnector
{
    private readonly KeyValueClientOptions _options;
    private readonly X509Certificate2Collection _authorities;

    private TlsConnector(KeyValueClientOptions options)
    {
        _options = options;
        _authorities = [.. options.TlsCertificateAuthorities];
    }

    /// <summary>A connector for <paramref name="options"/>, or null when TLS is off.</summary>
    public static TlsConnector? Create(KeyValueClientOptions options)
    {
        if (!options.UseTls)
        {
            return null;
        }

        if (options.TlsServerCertificateThumbprint is { } pin && pin.Length is not (40 or 64))
        {
            throw new ArgumentException($"TlsServerCertificateThumbprint '{pin}' is neither a SHA-1 thumbprint (40 hex digits) nor a SHA-256 hash (64).", nameof(options));
        }

        if (options.TlsClientCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("TlsClientCertificate has no private key.", nameof(options));
        }

        return new TlsConnector(options);
    }

    /// <summary>Authenticates as a client over <paramref name="stream"/> (which it then owns) to <paramref name="host"/>.</summary>
    public async Task<SslStream> AuthenticateAsync(Stream stream, string host, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = _options.TlsTargetHost ?? host,
                    ClientCertificates = _options.TlsClientCertificate is { } mine ? [mine] : null,
                    RemoteCertificateValidationCallback = _options.TlsServerCertificateValidation ?? Validate,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                },
                cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return false;
        }

        if (_options.TlsServerCertificateThumbprint is { } pin)
        {
            var hash = pin.Length == 40 ? certificate.GetCertHashString() : certificate.GetCertHashString(HashAlgorithmName.SHA256);
            return string.Equals(hash, pin, StringComparison.OrdinalIgnoreCase);
        }

        if (_authorities.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }

        // A private CA: the chain must end at one of its certificates; the name still counts.
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var presented = certificate as X509Certificate2 is null ? new X509Certificate2(certificate) : null;
        return custom.Build(presented ?? (X509Certificate2)certificate);
    }

    /// <summary>True for the failures of a TLS handshake (refused certificate, closed mid-handshake).</summary>
    public static bool IsHandshakeFailure(Exception exception) => exception is AuthenticationException or IOException;
}
