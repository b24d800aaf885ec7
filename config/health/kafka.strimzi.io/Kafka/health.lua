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

-- Strimzi: a Ready or a NotReady condition for status.observedGeneration;
-- NotReady carries the reason (Creating while the cluster is being set up,
-- the error otherwise). Warning conditions do not change the health.
local gen = obj.metadata.generation
if gen ~= nil and (obj.status == nil or obj.status.observedGeneration == nil or obj.status.observedGeneration < gen) then
  return {status = "Progressing", message = "Waiting for the operator to reconcile the latest generation"}
end
local ready = condition("Ready")
local notReady = condition("NotReady")
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = "Kafka cluster is ready"}
end
if notReady ~= nil and notReady.status == "True" then
  if notReady.reason == nil or notReady.reason == "Creating" then
    return {status = "Progressing", message = notReady.message or "Kafka cluster is being created"}
  end
  return {status = "Degraded", message = notReady.reason .. ": " .. (notReady.message or "")}
end
return {status = "Progressing", message = "Waiting for the Kafka cluster to become ready"}
