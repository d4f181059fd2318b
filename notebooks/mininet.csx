// Loads MiniNet into a notebook and registers its formatters: every notebook in this folder starts with  #load "mininet.csx"
// Build it first, once, from the repository root:  dotnet build src/Interactive
#r "../src/Interactive/bin/Debug/net10.0/System.Numerics.Tensors.dll"
#r "../src/Interactive/bin/Debug/net10.0/MathNet.Numerics.dll"
#r "../src/Interactive/bin/Debug/net10.0/MiniNet.Autograd.dll"
#r "../src/Interactive/bin/Debug/net10.0/MiniNet.Layers.dll"
#r "../src/Interactive/bin/Debug/net10.0/MiniNet.Optimizers.dll"
#r "../src/Interactive/bin/Debug/net10.0/MiniNet.Clipping.dll"
#r "../src/Interactive/bin/Debug/net10.0/MiniNet.Training.dll"
#r "../src/Interactive/bin/Debug/net10.0/MiniNet.Interactive.dll"

// (A loaded script's using directives do not reach the notebook, so each notebook's first cell lists its own.)
MiniNet.Interactive.Formatters.Register();
