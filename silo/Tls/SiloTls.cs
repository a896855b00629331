using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Orleans.KeyValue.Silo.Tls;

/// <summary>
/// The silo's TLS material, loaded and checked once at start (a bad or missing file stops the
/// silo with a message naming it), and how each listener uses it: the RESP TLS port on
/// Kestrel, the dashboard over HTTPS, and Orleans's silo and gateway connections.
/// </summary>
internal sealed class SiloTls
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private readonly X509Certificate2Collection _authorities;
    private readonly X509Certificate2Collection _chain;
    private readonly TimeSpan _handshakeTimeout;

    private SiloTls(X509Certificate2 certificate, X509Certificate2Collection chain, X509Certificate2Collection authorities, ClientCertificateMode clients, TlsOptions options)
    {
        Certificate = certificate;
        _chain = chain;
        _authorities = authorities;
        Clients = clients;
        Cluster = options.Cluster;
        Dashboard = options.Dashboard ?? true;
        _handshakeTimeout = options.HandshakeTimeout;
    }

    /// <summary>The certificate every TLS port presents, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>What RESP clients must show (Redis's tls-auth-clients).</summary>
    public ClientCertificateMode Clients { get; }

    /// <summary>Silo-to-silo and Orleans gateway traffic over TLS.</summary>
    public bool Cluster { get; }

    /// <summary>The dashboard over HTTPS.</summary>
    public bool Dashboard { get; }

    /// <summary>
    /// Loads what <paramref name="options"/> name; null when nothing uses TLS. Throws
    /// <see cref="InvalidOperationException"/> with the option and file at fault.
    /// </summary>
    public static SiloTls? Load(TlsOptions options, int tlsPort)
    {
        var authClients = (options.AuthClients ?? (options.CaCertFile is null ? "no" : "yes")).ToLowerInvariant();
        var clients = authClients switch
        {
            "yes" => ClientCertificateMode.RequireCertificate,
            "optional" => ClientCertificateMode.AllowCertificate,
            "no" => ClientCertificateMode.NoCertificate,
            _ => throw new InvalidOperationException($"tls-auth-clients must be yes, no or optional, not '{options.AuthClients}'."),
        };
        var wanted = tlsPort > 0 || options.Cluster || options.Dashboard == true;
        if (!wanted && options.CertFile is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(options.CertFile) || string.IsNullOrWhiteSpace(options.KeyFile))
        {
            var users = string.Join(", ", new[] { tlsPort > 0 ? "--tls-port" : null, options.Cluster ? "--tls-cluster yes" : null, options.Dashboard == true ? "--tls-dashboard yes" : null }.OfType<string>());
            throw new InvalidOperationException(
                $"TLS needs a certificate and its key: give both --tls-cert-file and --tls-key-file (PEM){(users.Length > 0 ? " for " + users : string.Empty)}.");
        }

        if (clients != ClientCertificateMode.NoCertificate && string.IsNullOrWhiteSpace(options.CaCertFile))
        {
            throw new InvalidOperationException($"--tls-auth-clients {authClients} needs --tls-ca-cert-file: the CA that client certificates must be signed by.");
        }

        if (options.Cluster && string.IsNullOrWhiteSpace(options.CaCertFile))
        {
            throw new InvalidOperationException("--tls-cluster yes needs --tls-ca-cert-file: the CA that the other silos' certificates must be signed by.");
        }

        if (options.HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Tls:HandshakeTimeout must be positive, not {options.HandshakeTimeout}.");
        }

        var certificate = LoadCertificate(options.CertFile, options.KeyFile);
        var chain = new X509Certificate2Collection();
        foreach (var extra in ReadCertificates(options.CertFile, "--tls-cert-file"))
        {
            if (extra.Thumbprint != certificate.Thumbprint)
            {
                chain.Add(extra);
            }
        }

        var authorities = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(options.CaCertFile))
        {
            authorities.AddRange(ReadCertificates(options.CaCertFile, "--tls-ca-cert-file"));
        }

        return new SiloTls(certificate, chain, authorities, clients, options);
    }

    /// <summary>The RESP TLS listener: our certificate, client certificates as tls-auth-clients says, checked against the CA.</summary>
    public void ConfigureResp(ListenOptions listen)
    {
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = Certificate,
            ServerCertificateChain = _chain,
            ClientCertificateMode = Clients,
            ClientCertificateValidation = (certificate, chain, _) => IsSignedByAuthority(certificate, chain, ClientAuthentication),
            CheckCertificateRevocation = false,
            HandshakeTimeout = _handshakeTimeout,

            // RESP has no ALPN name: offer none (Kestrel would offer HTTP's).
            OnAuthenticate = (_, ssl) => ssl.ApplicationProtocols = null,
        });
    }

    /// <summary>The dashboard over HTTPS: our certificate; browsers are not asked for one.</summary>
    public void ConfigureDashboard(ListenOptions listen)
    {
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = Certificate,
            ServerCertificateChain = _chain,
            ClientCertificateMode = ClientCertificateMode.NoCertificate,
            HandshakeTimeout = _handshakeTimeout,
        });
    }

    /// <summary>
    /// Orleans's silo and gateway connections (Microsoft.Orleans.Connections.Security): our
    /// certificate both ways. Another silo must show a certificate that chains to the CA; an
    /// Orleans client on the gateway port is asked for one as <c>--tls-auth-clients</c> says for
    /// RESP clients. Host names are not checked: silos dial each other by address, and the CA is the trust.
    /// </summary>
    public void ConfigureOrleans(ISiloBuilder orleans)
    {
        var peers = OrleansOptions(RemoteCertificateMode.RequireCertificate);
        var clients = OrleansOptions(Clients switch
        {
            ClientCertificateMode.RequireCertificate => RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode.AllowCertificate => RemoteCertificateMode.AllowCertificate,
            _ => RemoteCertificateMode.NoCertificate,
        });
        orleans.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(peers));
            connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(peers));
            connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(clients));
        });
    }

    private Orleans.Connections.Security.TlsOptions OrleansOptions(RemoteCertificateMode remote) => new()
    {
        LocalCertificate = Certificate,
        RemoteCertificateMode = remote,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        RemoteCertificateValidation = (certificate, chain, _) => IsSignedByAuthority(certificate, chain, requiredUsage: null),
        HandshakeTimeout = _handshakeTimeout,
    };

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of our CAs (intermediates it sent
    /// may fill the gap), with the usage asked for when its certificate names usages.
    /// </summary>
    private bool IsSignedByAuthority(X509Certificate2 certificate, X509Chain? presented, Oid? requiredUsage)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (requiredUsage is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(requiredUsage);
        }

        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    private static X509Certificate2 LoadCertificate(string certFile, string keyFile)
    {
        MustExist(certFile, "--tls-cert-file");
        MustExist(keyFile, "--tls-key-file");
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (CryptographicException exception)
        {
            throw new InvalidOperationException(
                $"Cannot load the TLS certificate {certFile} (--tls-cert-file) with the key {keyFile} (--tls-key-file): {exception.Message} " +
                "Both must be PEM, the key unencrypted and belonging to the certificate.", exception);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The TLS key {keyFile} (--tls-key-file) gave no private key for {certFile}.");
        }

        return certificate;
    }

    private static X509Certificate2Collection ReadCertificates(string file, string option)
    {
        MustExist(file, option);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file);
        }
        catch (CryptographicException exception)
        {
            throw new InvalidOperationException($"Cannot read the certificates in {file} ({option}): {exception.Message}", exception);
        }

        if (certificates.Count == 0)
        {
            throw new InvalidOperationException($"{file} ({option}) holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }

        return certificates;
    }

    private static void MustExist(string file, string option)
    {
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{option} {file}: no such file.");
        }
    }
}
