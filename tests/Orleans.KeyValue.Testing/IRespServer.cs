namespace Orleans.KeyValue.Testing;

/// <summary>A server that speaks RESP on 127.0.0.1, started by a test and stopped on dispose.</summary>
public interface IRespServer : IAsyncDisposable
{
    /// <summary>What it is, for messages: "redis-server 7.0", "our silo".</summary>
    string Name { get; }

    /// <summary>The port on 127.0.0.1.</summary>
    int Port { get; }
}
