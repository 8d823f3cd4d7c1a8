using RuleGen.Host;
using RuleGen.Host.Compiled;

return Cli.Run(args, HostConsole.FromProcess(), RuleSet.Instance);
