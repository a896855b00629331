using Orleans.KeyValue.Cli;

return await KvCommandLine.RunAsync(args, Console.Out, Console.Error);
