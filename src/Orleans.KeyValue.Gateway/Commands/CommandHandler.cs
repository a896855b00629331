using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>Runs one command whose name and arity were checked.</summary>
public delegate ValueTask<KvReply> CommandHandler(CommandContext context, RespRequest request);
