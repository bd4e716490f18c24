import ProvisionCLI

// The command line lives in the ProvisionCLI library, which the tests and the benchmark import.
await Provision.runCommandLine()
