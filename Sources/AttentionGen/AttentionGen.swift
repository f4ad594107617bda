@_exported import AttentionSpec
@_exported import AttentionTensors
@_exported import AttentionRuntime
@_exported import AttentionPlan
@_exported import AttentionSimulator
@_exported import CPUInterpreter
@_exported import KernelIR
