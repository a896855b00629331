namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// LCS as Redis 7.0 computes it: the dynamic-programming table of common-subsequence lengths,
/// then one walk back from its corner that yields the subsequence and, for IDX, the matching
/// ranges from the last to the first (ties walk towards the second string's start, as Redis's do).
/// </summary>
internal static class LongestCommonSubsequence
{
    private static readonly KvReply MatchesLabel = KvReply.FromBulk("matches"u8.ToArray());
    private static readonly KvReply LenLabel = KvReply.FromBulk("len"u8.ToArray());

    public static KvReply Reply(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, bool lengthOnly, bool indexes, bool withMatchLength, long minMatchLength)
    {
        int rows = a.Length + 1, columns = b.Length + 1;
        var table = new uint[(long)rows * columns];
        for (var i = 1; i < rows; i++)
        {
            for (var j = 1; j < columns; j++)
            {
                table[(i * columns) + j] = a[i - 1] == b[j - 1]
                    ? table[((i - 1) * columns) + j - 1] + 1
                    : Math.Max(table[((i - 1) * columns) + j], table[(i * columns) + j - 1]);
            }
        }

        var total = table[(a.Length * columns) + b.Length];
        if (lengthOnly && !indexes)
        {
            return KvReply.FromInteger(total);
        }

        var result = new byte[total];
        var matches = new List<KvReply>();
        var position = (int)total;
        int aStart = a.Length, aEnd = 0, bStart = 0, bEnd = 0;
        for (int i = a.Length, j = b.Length; i > 0 && j > 0;)
        {
            var emit = false;
            if (a[i - 1] == b[j - 1])
            {
                result[position - 1] = a[i - 1];
                if (aStart == a.Length)
                {
                    (aStart, aEnd, bStart, bEnd) = (i - 1, i - 1, j - 1, j - 1);
                }
                else if (aStart == i && bStart == j)
                {
                    aStart--;
                    bStart--;
                }
                else
                {
                    emit = true;
                }

                emit |= aStart == 0 || bStart == 0;
                position--;
                i--;
                j--;
            }
            else
            {
                if (table[((i - 1) * columns) + j] > table[(i * columns) + j - 1])
                {
                    i--;
                }
                else
                {
                    j--;
                }

                emit = aStart != a.Length;
            }

            if (emit)
            {
                long length = aEnd - aStart + 1;
                if (indexes && (minMatchLength == 0 || length >= minMatchLength))
                {
                    var match = new KvReply[withMatchLength ? 3 : 2];
                    match[0] = KvReply.FromArray([KvReply.FromInteger(aStart), KvReply.FromInteger(aEnd)]);
                    match[1] = KvReply.FromArray([KvReply.FromInteger(bStart), KvReply.FromInteger(bEnd)]);
                    if (withMatchLength)
                    {
                        match[2] = KvReply.FromInteger(length);
                    }

                    matches.Add(KvReply.FromArray(match));
                }

                aStart = a.Length;
            }
        }

        return indexes
            ? KvReply.FromMap([MatchesLabel, KvReply.FromArray([.. matches]), LenLabel, KvReply.FromInteger(total)])
            : KvReply.FromBulk(result);
    }
}
