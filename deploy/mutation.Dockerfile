# The repository with the SDK and the pinned tools, for the Kubernetes mutation job (deploy/k8s/mutation-job.yaml):
# Stryker compiles mutants from source, so the image is the SDK, not the runtime. Build it from the root:
#   docker build -f deploy/mutation.Dockerfile -t sim-mutation:latest .
FROM mcr.microsoft.com/dotnet/sdk:10.0
WORKDIR /repo
COPY . .
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Restore and build once here, so every pod starts from warm packages and an up-to-date Debug build.
RUN dotnet tool restore && dotnet build tests/Sim.Oracles/Sim.Oracles.csproj
ENTRYPOINT ["tests/Sim.Oracles/mutate"]
