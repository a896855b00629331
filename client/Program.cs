// The command-line client (`kv`) is built on the client SDK in a later issue (#4). Until then
// this program says so instead of pretending to work.
Console.Error.WriteLine("kv: the command-line client is not built yet (issue #4). Use redis-cli against the silo meanwhile.");
return 2;
