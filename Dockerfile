# Multi-stage build of one silo. Build: docker build -t orleans-keyvalue .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
COPY silo/ silo/
RUN dotnet publish silo/Orleans.KeyValue.Silo.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# RESP gateway, the HTTP port (health now, dashboard later) and the silo-to-silo port.
EXPOSE 6379 8080 11111
# In a container the silo must listen beyond loopback; the compose file sets a password and
# tells each silo the name the others reach it at (KV_Cluster__AdvertisedHost).
ENTRYPOINT ["dotnet", "Orleans.KeyValue.Silo.dll", "--bind", "0.0.0.0", "--dashboard-bind", "0.0.0.0", "--silo-bind", "0.0.0.0"]
