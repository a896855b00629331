using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>One silo of a <see cref="TestCluster"/>.</summary>
public sealed class TestSilo
{
    internal TestSilo(string name, int gatewayPort, int siloPort)
    {
        Name = name;
        GatewayPort = gatewayPort;
        SiloPort = siloPort;
    }

    public string Name { get; }

    /// <summary>The RESP port.</summary>
    public int GatewayPort { get; }

    /// <summary>The silo-to-silo port.</summary>
    public int SiloPort { get; }

    /// <summary>The dashboard's HTTP port, 0 when off.</summary>
    public int DashboardPort { get; internal set; }

    /// <summary>Orleans's client gateway port of this silo.</summary>
    public int OrleansGatewayPort { get; internal set; }

    /// <summary>False once stopped or killed.</summary>
    public bool IsAlive { get; internal set; } = true;

    internal WebApplication? App { get; set; }

    internal Process? Process { get; set; }

    internal StringBuilder Output { get; } = new();

    public override string ToString() => $"{Name} (gateway {GatewayPort}, silo port {SiloPort})";
}
