namespace Orleans.KeyValue.Resp;

/// <summary>What one step of the request parser found.</summary>
public enum RespParseStatus
{
    /// <summary>The input ends inside a command; everything read so far is kept.</summary>
    NeedMoreData,
    /// <summary>A whole command is in the request.</summary>
    Complete,
    /// <summary>A protocol error; the connection must reply and close.</summary>
    Error,
}
