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

-- External Secrets Operator: the Ready condition says whether the target
-- Secret was synced from the provider.
local ready = condition("Ready")
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = ready.message or "Secret was synced"}
end
if ready ~= nil and ready.status == "False" then
  return {status = "Degraded", message = ready.message or ready.reason or "Secret could not be synced"}
end
return {status = "Progressing", message = "Waiting for the secret to be synced"}
