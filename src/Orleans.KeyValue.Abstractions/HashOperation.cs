namespace Orleans.KeyValue;

/// <summary>The hash commands (<see cref="HashRequest"/>; fields and values are in its arguments).</summary>
[GenerateSerializer]
[Alias("kv.HashOperation")]
public enum HashOperation : byte
{
    /// <summary>HSET field value [field value ...]: the number of fields added.</summary>
    Set = 0,

    /// <summary>HMSET field value [field value ...]: OK.</summary>
    SetAll = 1,

    /// <summary>HSETNX field value: 1 when set, 0 when the field exists.</summary>
    SetIfNew = 2,

    /// <summary>HGET field.</summary>
    Get = 3,

    /// <summary>HMGET field [field ...].</summary>
    GetMany = 4,

    /// <summary>HDEL field [field ...]: the number removed; the key goes with its last field.</summary>
    Delete = 5,

    /// <summary>HEXISTS field.</summary>
    Exists = 6,

    /// <summary>HGETALL: fields and values (a map in RESP3).</summary>
    GetAll = 7,

    /// <summary>HKEYS.</summary>
    Keys = 8,

    /// <summary>HVALS.</summary>
    Values = 9,

    /// <summary>HLEN.</summary>
    Length = 10,

    /// <summary>HINCRBY field increment (<see cref="HashRequest.Integer"/>).</summary>
    IncrementBy = 11,

    /// <summary>HINCRBYFLOAT field increment (the increment's text as the second argument).</summary>
    IncrementByFloat = 12,

    /// <summary>HSTRLEN field.</summary>
    ValueLength = 13,

    /// <summary>HRANDFIELD [count [WITHVALUES]] (<see cref="HashRequest.Integer"/> the count when <see cref="HashRequest.HasCount"/>).</summary>
    RandomField = 14,
}
