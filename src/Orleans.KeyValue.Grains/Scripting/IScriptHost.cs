namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>
/// Runs a script inside a key's turn: its <c>redis.call</c>s reach the key through the turn's
/// <see cref="Keys.KeyOperations"/>, synchronously, without leaving the turn. The gateway's
/// command table implements it (a script's commands are parsed as a client's are).
/// </summary>
public interface IScriptHost
{
    /// <summary>Runs <paramref name="request"/> with <paramref name="key"/> as the only key it may touch.</summary>
    KvReply Run(Keys.KeyOperations key, in ScriptRequest request);
}
