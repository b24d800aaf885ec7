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

-- Crossplane managed resources: Synced says whether the provider could
-- reconcile the resource, Ready whether the external resource is available.
local synced = condition("Synced")
local ready = condition("Ready")
if synced ~= nil and synced.status == "False" then
  return {status = "Degraded", message = synced.message or synced.reason or "Resource is not synced"}
end
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = "Resource is available"}
end
if ready ~= nil and ready.reason == "Unavailable" then
  return {status = "Degraded", message = ready.message or "Resource is unavailable"}
end
if ready ~= nil and ready.reason ~= nil then
  return {status = "Progressing", message = "Resource is not ready yet: " .. ready.reason}
end
return {status = "Progressing", message = "Waiting for the provider to observe the resource"}
