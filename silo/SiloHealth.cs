namespace Orleans.KeyValue.Silo;

/// <summary>The health endpoint's answer.</summary>
public sealed record SiloHealth(string Status, long CommandsProcessed, int Activations, int Clients, string Silo, int ActiveSilos);
