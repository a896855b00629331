using Orleans.KeyValue.Silo;

await SiloApplication.Build(args).RunAsync();
