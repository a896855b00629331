namespace Orleans.KeyValue;

/// <summary>The string commands that read or change one key in its turn (<see cref="StringRequest"/>).</summary>
[GenerateSerializer]
[Alias("kv.StringOperation")]
public enum StringOperation : byte
{
    /// <summary>APPEND: appends <see cref="StringRequest.Value"/>; replies the new length.</summary>
    Append = 0,

    /// <summary>INCR, DECR, INCRBY, DECRBY: adds <see cref="StringRequest.Integer"/>; replies the new value.</summary>
    IncrementBy = 1,

    /// <summary>INCRBYFLOAT: adds the float written in <see cref="StringRequest.Value"/>; replies the new value as Redis formats it.</summary>
    IncrementByFloat = 2,

    /// <summary>GETRANGE, SUBSTR: the bytes from <see cref="StringRequest.Integer"/> to <see cref="StringRequest.End"/>, both inclusive, negative from the end.</summary>
    GetRange = 3,

    /// <summary>SETRANGE: writes <see cref="StringRequest.Value"/> at offset <see cref="StringRequest.Integer"/>, padding with zero bytes; replies the new length.</summary>
    SetRange = 4,

    /// <summary>STRLEN: the value's length, 0 for a missing key.</summary>
    Length = 5,
}
