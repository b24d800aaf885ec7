local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

-- Knative: the Ready condition summarises ConfigurationsReady and RoutesReady,
-- for the generation in status.observedGeneration.
local gen = obj.metadata.generation
if gen ~= nil and (obj.status == nil or obj.status.observedGeneration == nil or obj.status.observedGeneration < gen) then
  return {status = "Progressing", message = "Waiting for the latest generation to be observed"}
end
local ready = condition("Ready")
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = "Service is ready"}
end
if ready ~= nil and ready.status == "False" then
  return {status = "Degraded", message = ready.message or ready.reason or "Service is not ready"}
end
if ready ~= nil and ready.reason ~= nil then
  return {status = "Progressing", message = ready.message or ready.reason}
end
return {status = "Progressing", message = "Waiting for the service to become ready"}
