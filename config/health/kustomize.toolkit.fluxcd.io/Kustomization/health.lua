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

-- Flux (kstatus conventions): Ready, Reconciling and Stalled conditions for
-- the generation in status.observedGeneration; spec.suspend stops it.
if obj.spec ~= nil and obj.spec.suspend == true then
  return {status = "Suspended", message = "Reconciliation is suspended"}
end
local gen = obj.metadata.generation
if gen ~= nil and (obj.status == nil or obj.status.observedGeneration == nil or obj.status.observedGeneration < gen) then
  return {status = "Progressing", message = "Waiting for the latest generation to be reconciled"}
end
local ready = condition("Ready")
local stalled = condition("Stalled")
local reconciling = condition("Reconciling")
if stalled ~= nil and stalled.status == "True" then
  return {status = "Degraded", message = stalled.message or stalled.reason or "Reconciliation is stalled"}
end
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = ready.message or "Applied"}
end
if reconciling ~= nil and reconciling.status == "True" then
  return {status = "Progressing", message = reconciling.message or "Reconciliation in progress"}
end
if ready ~= nil and ready.status == "False" then
  return {status = "Degraded", message = ready.message or ready.reason or "Not ready"}
end
return {status = "Progressing", message = "Waiting for reconciliation"}
