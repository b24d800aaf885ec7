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

-- KEDA: Ready (the scale target and triggers are valid), Active (scaling
-- from zero), Fallback (a scaler is failing) and Paused conditions.
local ready = condition("Ready")
local paused = condition("Paused")
local fallback = condition("Fallback")
if paused ~= nil and paused.status == "True" then
  return {status = "Suspended", message = paused.message or "Autoscaling is paused"}
end
if ready ~= nil and ready.status == "False" then
  return {status = "Degraded", message = ready.message or ready.reason or "ScaledObject is not ready"}
end
if fallback ~= nil and fallback.status == "True" then
  return {status = "Degraded", message = fallback.message or "A scaler is failing, the fallback replicas are used"}
end
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = ready.message or "ScaledObject is ready for scaling"}
end
return {status = "Progressing", message = "Waiting for KEDA to set up the scaler"}
