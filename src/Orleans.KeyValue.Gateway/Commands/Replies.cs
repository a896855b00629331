namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>Replies that several handler families build alike.</summary>
internal static class Replies
{
    public static ValueTask<KvReply> Error(string text) => new(KvReply.FromError(text));

    /// <summary>A HELP subcommand's reply: one status line per entry, as Redis's addReplyHelp.</summary>
    public static KvReply Help(params string[] lines) => KvReply.FromArray([.. lines.Select(KvReply.FromStatus)]);
}
