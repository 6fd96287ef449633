using System.CommandLine;
using TransportBrain.Host.Cli;

var root = new RootCommand("TransportBrain 数字交通数据大脑: the transport data brain of a provincial Department of Transport");
CommonOptions.AddTo(root);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(CatalogCommands.Create());
root.Subcommands.Add(DataCommands.CreateImport());
root.Subcommands.Add(DataCommands.CreateExport());
root.Subcommands.Add(QualityCommands.CreateQuality());
root.Subcommands.Add(QualityCommands.CreateQuarantine());
root.Subcommands.Add(AccessCommands.CreateKeys());
root.Subcommands.Add(AccessCommands.CreateAudit());
root.Subcommands.Add(SampleCommands.Create());
root.Subcommands.Add(Jt808Commands.Create());
root.Subcommands.Add(TwinCommands.Create());
root.Subcommands.Add(HighwayCommands.Create());
root.Subcommands.Add(UserCommands.Create());
return await root.Parse(args).InvokeAsync();
