namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>A function a library registered in one Lua state: its name, description, flags and callback (a registry reference).</summary>
internal sealed record LoadedFunction(string Name, string? Description, string[] Flags, int Callback);
