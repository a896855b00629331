namespace Orleans.KeyValue.Cli;

/// <summary>A TLS file named on the command line (--cacert, --cert, --key) that cannot be read: a usage error.</summary>
internal sealed class TlsFileException(string message, Exception inner) : Exception(message, inner);
