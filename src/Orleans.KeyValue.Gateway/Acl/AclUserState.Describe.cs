using System.Text;

namespace Orleans.KeyValue.Gateway.Acl;

/// <summary>How ACL LIST and ACL GETUSER show a user (Redis 7.0's ACLDescribeUser).</summary>
internal sealed partial class AclUserState
{
    /// <summary>The flags as ACL LIST and ACL GETUSER show them, in Redis's order.</summary>
    public IEnumerable<string> Flags()
    {
        yield return Enabled ? "on" : "off";
        if (NoPass)
        {
            yield return "nopass";
        }

        if (Sanitize == AclPayloadSanitizing.Skip)
        {
            yield return "skip-sanitize-payload";
        }

        if (Sanitize == AclPayloadSanitizing.Sanitize)
        {
            yield return "sanitize-payload";
        }
    }

    /// <summary>The key patterns as ACL GETUSER shows them.</summary>
    public string DescribeKeys() => AllKeys ? "~*" : string.Join(' ', _keyPatterns.Select(p => "~" + p));

    /// <summary>The channel patterns as ACL GETUSER shows them.</summary>
    public string DescribeChannels() => AllChannels ? "&*" : string.Join(' ', _channels.Select(p => "&" + p));

    /// <summary>
    /// The command rules as ACL LIST and ACL GETUSER show them (Redis 7.0's
    /// ACLDescribeSelectorCommandRules): +@all or -@all, then greedily the category that fits the
    /// user's bits best while it fits more than it misses, then single commands for what still
    /// differs. Redis emits those in its command hash table's order, which changes from process to
    /// process; here they come in the table's order.
    /// </summary>
    public string DescribeCommands()
    {
        var additive = !FromAllCommands;
        var text = new StringBuilder(additive ? "-@all" : "+@all");
        var fake = new bool[_allowed.Length];
        Array.Fill(fake, !additive);
        var remaining = (bool[])_allowed.Clone();
        var applied = new bool[AclCategories.Names.Length];
        while (true)
        {
            var best = -1;
            var fewestDiffering = int.MaxValue;
            var mostSame = 0;
            for (var c = 0; c < AclCategories.Names.Length; c++)
            {
                if (applied[c])
                {
                    continue;
                }

                var on = 0;
                var off = 0;
                foreach (var id in AclCommandSpace.InCategory(c))
                {
                    if (remaining[id])
                    {
                        on++;
                    }
                    else
                    {
                        off++;
                    }
                }

                var differing = additive ? off : on;
                var same = additive ? on : off;
                if (same > differing && (differing < fewestDiffering || (differing == fewestDiffering && same > mostSame)))
                {
                    best = c;
                    fewestDiffering = differing;
                    mostSame = same;
                }
            }

            if (best < 0)
            {
                break;
            }

            foreach (var id in AclCommandSpace.InCategory(best))
            {
                SetWithSubcommands(fake, id, additive);
                SetWithSubcommands(remaining, id, !additive);
            }

            text.Append(additive ? " +@" : " -@").Append(AclCategories.Names[best]);
            applied[best] = true;
        }

        for (var id = 0; id < _allowed.Length; id++)
        {
            if (AclCommandSpace.IsTopLevel(id))
            {
                DescribeSingle(id, fake, text);
                foreach (var sub in AclCommandSpace.SubcommandsOf(id))
                {
                    DescribeSingle(sub, fake, text);
                }
            }
        }

        return text.ToString();
    }

    private void DescribeSingle(int id, bool[] fake, StringBuilder text)
    {
        if (_allowed[id] != fake[id])
        {
            text.Append(' ').Append(_allowed[id] ? '+' : '-').Append(AclCommandSpace.NameOf(id));
            SetWithSubcommands(fake, id, _allowed[id]);
        }
    }

    /// <summary>One line of ACL LIST (Redis's ACLDescribeUser), without the user's name.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var flag in Flags())
        {
            text.Append(flag).Append(' ');
        }

        foreach (var hash in _passwords)
        {
            text.Append('#').Append(hash).Append(' ');
        }

        if (AllKeys)
        {
            text.Append("~* ");
        }
        else
        {
            foreach (var pattern in _keyPatterns)
            {
                text.Append('~').Append(pattern).Append(' ');
            }
        }

        if (AllChannels)
        {
            text.Append("&* ");
        }
        else
        {
            text.Append("resetchannels ");
            foreach (var channel in _channels)
            {
                text.Append('&').Append(channel).Append(' ');
            }
        }

        return text.Append(DescribeCommands()).ToString();
    }
}
