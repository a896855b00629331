using Microsoft.AspNetCore.Builder;
using Orleans.KeyValue.Silo;

WebApplication app;
try
{
    app = SiloApplication.Build(args);
}
catch (InvalidOperationException exception)
{
    // A setting the silo refuses (a bad certificate file, an unsafe bind, ...): say which and
    // exit non-zero, without a stack trace in the operator's way.
    await Console.Error.WriteLineAsync($"The silo cannot start: {exception.Message}");
    return 1;
}

await app.RunAsync();
return 0;
