using ActorTrain.Nodes.Cli;

return ActorTrainCli.Run(args);
