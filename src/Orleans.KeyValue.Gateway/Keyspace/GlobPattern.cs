namespace Orleans.KeyValue.Gateway.Keyspace;

/// <summary>Redis's glob matching (<c>stringmatchlen</c>) for KEYS, SCAN MATCH and CONFIG GET.</summary>
public static class GlobPattern
{
    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>: * ? [abc] [^a-z] and \ escapes.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        var exhausted = false;
        return Match(pattern, text, ignoreCase, 0, ref exhausted);
    }

    // 'exhausted' is set once a '*' has tried every remaining suffix of the text and failed: an
    // enclosing '*' giving it a shorter suffix cannot succeed either, so the search stops there
    // instead of going exponential on patterns such as "a*a*a*...b".
    private static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase, int depth, ref bool exhausted)
    {
        // Redis bounds the recursion of '*' the same way, so a hostile pattern cannot blow the stack.
        if (depth > 1000)
        {
            return false;
        }

        while (!pattern.IsEmpty && !text.IsEmpty)
        {
            switch (pattern[0])
            {
                case (byte)'*':
                    while (pattern.Length > 1 && pattern[1] == (byte)'*')
                    {
                        pattern = pattern[1..];
                    }

                    if (pattern.Length == 1)
                    {
                        return true;
                    }

                    while (!text.IsEmpty)
                    {
                        if (Match(pattern[1..], text, ignoreCase, depth + 1, ref exhausted))
                        {
                            return true;
                        }

                        if (exhausted)
                        {
                            return false;
                        }

                        text = text[1..];
                    }

                    exhausted = true;
                    return false;
                case (byte)'?':
                    text = text[1..];
                    break;
                case (byte)'[':
                    {
                        pattern = pattern[1..];
                        var not = !pattern.IsEmpty && pattern[0] == (byte)'^';
                        if (not)
                        {
                            pattern = pattern[1..];
                        }

                        var match = false;
                        while (true)
                        {
                            if (pattern.IsEmpty)
                            {
                                break;
                            }

                            if (pattern[0] == (byte)'\\' && pattern.Length >= 2)
                            {
                                pattern = pattern[1..];
                                if (Same(pattern[0], text[0], ignoreCase))
                                {
                                    match = true;
                                }
                            }
                            else if (pattern[0] == (byte)']')
                            {
                                break;
                            }
                            else if (pattern.Length >= 3 && pattern[1] == (byte)'-')
                            {
                                int start = pattern[0], end = pattern[2], c = text[0];
                                if (start > end)
                                {
                                    (start, end) = (end, start);
                                }

                                if (ignoreCase)
                                {
                                    start = Lower((byte)start);
                                    end = Lower((byte)end);
                                    c = Lower((byte)c);
                                }

                                pattern = pattern[2..];
                                if (c >= start && c <= end)
                                {
                                    match = true;
                                }
                            }
                            else if (Same(pattern[0], text[0], ignoreCase))
                            {
                                match = true;
                            }

                            pattern = pattern[1..];
                        }

                        if (not)
                        {
                            match = !match;
                        }

                        if (!match)
                        {
                            return false;
                        }

                        text = text[1..];
                        if (pattern.IsEmpty)
                        {
                            // An unterminated class: Redis stops here.
                            return text.IsEmpty;
                        }

                        break;
                    }

                case (byte)'\\':
                    if (pattern.Length >= 2)
                    {
                        pattern = pattern[1..];
                    }

                    if (!Same(pattern[0], text[0], ignoreCase))
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
                default:
                    if (!Same(pattern[0], text[0], ignoreCase))
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
            }

            pattern = pattern[1..];
            if (text.IsEmpty)
            {
                while (!pattern.IsEmpty && pattern[0] == (byte)'*')
                {
                    pattern = pattern[1..];
                }

                break;
            }
        }

        return pattern.IsEmpty && text.IsEmpty;
    }

    private static bool Same(byte a, byte b, bool ignoreCase) => ignoreCase ? Lower(a) == Lower(b) : a == b;

    private static byte Lower(byte c) => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c + 32) : c;
}
